FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends poppler-utils && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
EXPOSE 3000
# Node itself is the container's process, so `docker stop` reaches the server's SIGTERM handler
# (it closes the app and the database); npx in between would not pass the signal on.
CMD ["node", "--import", "tsx", "server/main.ts"]
